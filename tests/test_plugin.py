"""The ``flowservice_fixtures`` pytest plugin, exercised in inner pytest runs (``pytester``)."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

#: Load the plugin explicitly only while its ``pytest11`` entry point is not installed
#: (registering it twice is an error).
PLUGIN_ARGS: tuple[str, ...] = (
    ()
    if any(ep.name == "flowservice" for ep in entry_points(group="pytest11"))
    else ("-p", "flowservice_fixtures.plugin")
)
ENV = (
    "FLOWSERVICE_TARGET",
    "FLOWSERVICE_BASE_URL",
    "FLOWSERVICE_ACCESS_TOKEN",
    "FLOWSERVICE_API_KEY",
    "FLOWSERVICE_ORG_ID",
    "FLOWSERVICE_SANDBOX",
    "FLOWSERVICE_CLIENT_SECRET",
    "FLOWSERVICE_IMS_URL",
)
BASE = "https://platform.adobe.io/data/foundation/flowservice"


@pytest.fixture(autouse=True)
def inner_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    """Inner runs start from a clean environment and the project's strict settings."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    pytester.makeini(
        "[pytest]\naddopts = --strict-markers -p no:cacheprovider\nfilterwarnings = error\n"
    )


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest(*PLUGIN_ARGS, *args)


def test_every_fixture_is_offered(pytester: pytest.Pytester) -> None:
    result = run(pytester, "--fixtures")
    for name in (
        "flowservice_config",
        "flowservice_mock",
        "flowservice_server",
        "flowservice_target",
        "flowservice_base_url",
        "flowservice_client",
        "flowservice_headers",
        "flowservice_dynamics_basic",
        "flowservice_dynamics_service_principal",
        "flowservice_sample_requests",
    ):
        result.stdout.fnmatch_lines([f"{name}*"])
    assert "--flowservice-target" in run(pytester, "--help").stdout.str()


def test_mock_serves_real_urls_with_fresh_state_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        f"""
        import pytest, requests

        BASE = "{BASE}"

        @pytest.mark.parametrize("n", [1, 2])
        def test_create(n, flowservice_mock, flowservice_headers, flowservice_dynamics_basic):
            r = requests.post(BASE + "/connections", json=flowservice_dynamics_basic,
                              headers=flowservice_headers)
            assert r.status_code == 201
            assert len(flowservice_mock.connections()) == 1
            flowservice_mock.assert_called("POST", "/connections$", times=1)
            body = flowservice_mock.journal[0].body
            assert body["auth"]["params"]["password"] == "********"

        def test_scope(request, flowservice_mock):
            assert request.fixturenames.count("flowservice_mock") == 1
            assert flowservice_mock.active
        """
    )
    run(pytester).assert_outcomes(passed=3)


def test_server_is_session_wide_and_reset_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        SEEN = []

        def test_first(flowservice_server, flowservice_headers, flowservice_dynamics_basic):
            SEEN.append(flowservice_server)
            url = flowservice_server.base_url + "/connections"
            assert url.startswith("http://127.0.0.1:")
            r = requests.post(url, json=flowservice_dynamics_basic, headers=flowservice_headers)
            assert r.status_code == 201

        def test_second(flowservice_server, flowservice_headers):
            assert SEEN == [flowservice_server]
            url = flowservice_server.base_url + "/connections"
            assert requests.get(url, headers=flowservice_headers).json()["items"] == []
            health = requests.get(flowservice_server.url + "/__mock__/health")
            assert health.json() == {"status": "ok"}
        """
    )
    run(pytester).assert_outcomes(passed=2)


def test_nothing_a_test_leaves_reaches_the_next_on_either_target(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite3"
    pytester.makeconftest(
        f"""
        import pytest

        @pytest.fixture(scope="session")
        def flowservice_config():
            return {{"state_path": {str(state)!r}}}
        """
    )
    pytester.makepyfile(
        f"""
        import pytest, requests

        BASE = "{BASE}"

        @pytest.fixture(params=["inprocess", "server"])
        def target(request):
            if request.param == "server":
                server = request.getfixturevalue("flowservice_server")
                return server, server.base_url
            return request.getfixturevalue("flowservice_mock"), BASE

        def test_leave_a_mess(target, flowservice_headers, flowservice_dynamics_basic):
            handle, base = target
            url = base + "/connections"
            r = requests.post(url, json=flowservice_dynamics_basic, headers=flowservice_headers)
            assert r.status_code == 201
            handle.app.test_client().post("/__mock__/faults", json={{"path": "*", "status": 503}})
            handle.app.test_client().post("/__mock__/clock", json={{"freeze": True}})
            assert requests.get(url, headers=flowservice_headers).status_code == 503

        def test_find_it_clean(target, flowservice_headers):
            handle, base = target
            assert handle.journal == [] and handle.faults == []
            r = requests.get(base + "/connections", headers=flowservice_headers)
            assert r.status_code == 200 and r.json()["items"] == []
            clock = handle.app.test_client().get("/__mock__/clock").get_json()
            assert clock["frozen"] is False
        """
    )
    run(pytester, "-p", "no:randomly").assert_outcomes(passed=4)


def test_config_override_applies_to_mock_server_and_client(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture(scope="session")
        def flowservice_config():
            return {"token_policy": "issued", "known_sandboxes": ["dev"], "api_keys": ["k1"]}
        """
    )
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.parametrize("target", ["inprocess", "server"])
        def test_client(request, target, flowservice_dynamics_basic):
            request.node.add_marker(pytest.mark.flowservice_target(target))
            client = request.getfixturevalue("flowservice_client")
            ref = client.create_connection(
                "n", flowservice_dynamics_basic["connectionSpec"]["id"],
                flowservice_dynamics_basic["auth"]["specName"],
                flowservice_dynamics_basic["auth"]["params"])
            connection = client.retrieve_connection(ref.id)
            assert connection.sandbox_name == "dev"
            assert connection.raw["createdClient"] == "k1"

        def test_static_headers_are_refused(flowservice_mock, flowservice_headers):
            r = requests.get(flowservice_mock.base_url + "/connections",
                             headers=flowservice_headers)
            assert r.status_code == 401
            assert flowservice_mock.context.config.default_page_size == 20
        """
    )
    run(pytester).assert_outcomes(passed=3)


TARGET_PROBE = """
import pytest

def test_probe(flowservice_target, flowservice_client, flowservice_base_url):
    print("\\nTARGET", flowservice_target, flowservice_client.base_url, flowservice_base_url)
    assert flowservice_client.base_url == flowservice_base_url
    assert flowservice_client.list_connections_page().items == ()

@pytest.mark.flowservice_target("server")
def test_marked(flowservice_target, flowservice_client):
    print("\\nMARKED", flowservice_target, flowservice_client.base_url)
    assert flowservice_client.list_connections_page().items == ()
"""


def probe(result: pytest.RunResult, label: str) -> list[str]:
    lines = [line for line in result.outlines if line.startswith(label + " ")]
    assert len(lines) == 1, result.outlines
    return lines[0].split()[1:]


@pytest.mark.parametrize(
    ("args", "env", "ini", "expected"),
    [
        ((), None, None, "inprocess"),
        (("--flowservice-target=server",), None, None, "server"),
        ((), "server", None, "server"),
        (("--flowservice-target=inprocess",), "server", None, "inprocess"),
        ((), None, "server", "server"),
        ((), "inprocess", "server", "inprocess"),
    ],
)
def test_target_from_option_env_ini_and_marker(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    env: str | None,
    ini: str | None,
    expected: str,
) -> None:
    if env is not None:
        monkeypatch.setenv("FLOWSERVICE_TARGET", env)
    if ini is not None:
        pytester.makeini(
            "[pytest]\naddopts = --strict-markers -p no:cacheprovider\n"
            f"filterwarnings = error\nflowservice_target = {ini}\n"
        )
    pytester.makepyfile(TARGET_PROBE)
    result = run(pytester, "-s", *args)
    result.assert_outcomes(passed=2)
    target, client_url, _ = probe(result, "TARGET")
    assert target == expected
    assert client_url.startswith(BASE if expected == "inprocess" else "http://127.0.0.1:")
    marked, marked_url = probe(result, "MARKED")
    assert marked == "server"
    assert marked_url.startswith("http://127.0.0.1:")


def test_bad_targets_are_usage_errors(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.flowservice_target("nowhere")
        def test_marked(flowservice_target):
            pass
        """
    )
    run(pytester).assert_outcomes(errors=1)
    assert run(pytester, "--flowservice-target=nowhere").ret == pytest.ExitCode.USAGE_ERROR
    monkeypatch.setenv("FLOWSERVICE_TARGET", "nowhere")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*FLOWSERVICE_TARGET='nowhere'*"])


def test_live_skips_without_env_and_uses_from_env_with_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(
        f"""
        def test_live(flowservice_client, flowservice_base_url):
            assert flowservice_client.base_url == flowservice_base_url == "{BASE}"

        def test_live_through_the_mock(flowservice_mock, flowservice_client):
            flowservice_client.list_connections_page()
            flowservice_mock.assert_called("GET", "/connections$")
            assert flowservice_mock.journal[0].headers["x-api-key"] == "live-key"
        """
    )
    result = run(pytester, "--flowservice-target=live", "-rs")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines(
        ["*flowservice target 'live' needs FLOWSERVICE_BASE_URL, FLOWSERVICE_API_KEY*"]
    )
    monkeypatch.setenv("FLOWSERVICE_BASE_URL", BASE + "/")
    monkeypatch.setenv("FLOWSERVICE_API_KEY", "live-key")
    monkeypatch.setenv("FLOWSERVICE_ORG_ID", "LIVE@AdobeOrg")
    monkeypatch.setenv("FLOWSERVICE_ACCESS_TOKEN", "live-token")
    run(pytester, "--flowservice-target=live").assert_outcomes(passed=2)


def test_data_fixtures_are_valid_fresh_copies(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_dynamics(flowservice_dynamics_basic, flowservice_dynamics_service_principal):
            assert flowservice_dynamics_basic["auth"]["specName"] == (
                "Basic Authentication for Dynamics-Online")
            assert flowservice_dynamics_service_principal["auth"]["specName"] == (
                "Service Principal Key Based Authentication")
            flowservice_dynamics_basic["name"] = "changed"

        def test_fresh(flowservice_dynamics_basic):
            assert flowservice_dynamics_basic["name"] == "Dynamics connection"

        def test_all_samples_create(flowservice_client, flowservice_sample_requests):
            assert len(flowservice_sample_requests) >= 5
            for body in flowservice_sample_requests.values():
                ref = flowservice_client.create_connection(
                    body["name"], body["connectionSpec"]["id"], body["auth"]["specName"],
                    body["auth"]["params"], description=body["description"])
                assert flowservice_client.retrieve_connection(ref.id).name == body["name"]
        """
    )
    run(pytester).assert_outcomes(passed=3)


XDIST_TESTS = """
import json, os, pytest, requests

def record(n, target, url):
    worker = os.environ["PYTEST_XDIST_WORKER"]
    path = os.path.join(os.environ["RECORD_DIR"], f"{worker}-{target}-{n}.json")
    with open(path, "w") as f:
        json.dump({"worker": worker, "url": url}, f)

@pytest.mark.parametrize("n", range(6))
@pytest.mark.parametrize("target", ["inprocess", "server"])
def test_isolated(request, n, target, flowservice_dynamics_basic):
    request.node.add_marker(pytest.mark.flowservice_target(target))
    client = request.getfixturevalue("flowservice_client")
    body = flowservice_dynamics_basic
    client.create_connection(f"{target}-{n}", body["connectionSpec"]["id"],
                             body["auth"]["specName"], body["auth"]["params"])
    assert [c.name for c in client.list_connections()] == [f"{target}-{n}"]
    record(n, target, client.base_url)
"""


@pytest.mark.slow
def test_xdist_workers_have_their_own_state(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    records = tmp_path / "records"
    records.mkdir()
    monkeypatch.setenv("RECORD_DIR", str(records))
    pytester.makepyfile(XDIST_TESTS)
    # Only xdist and this plugin are loaded (the rest of the venv slows worker start-up).
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    # --dist=each: every test runs on both workers at once; each must see only its own data.
    result = pytester.runpytest_subprocess(
        "-p", "xdist", "-p", "flowservice_fixtures.plugin", "-n", "2", "--dist=each", timeout=120
    )
    result.assert_outcomes(passed=24)
    seen = [json.loads(p.read_text()) for p in records.glob("*-server-*.json")]
    urls = {w: {r["url"] for r in seen if r["worker"] == w} for w in ("gw0", "gw1")}
    assert len(seen) == 12
    assert all(len(worker_urls) == 1 for worker_urls in urls.values())
    assert urls["gw0"] != urls["gw1"]


def test_public_api_is_pinned() -> None:
    import importlib

    import flowservice_fixtures

    import mock_flowservice

    # the package's ``intercept`` attribute is the function; the module is reached by name
    intercept_module = importlib.import_module("mock_flowservice.intercept")

    assert set(flowservice_fixtures.__all__) == {
        "DYNAMICS_SPEC_ID",
        "TEST_ACCESS_TOKEN",
        "TEST_API_KEY",
        "TEST_ORG_ID",
        "TEST_SANDBOX",
        "Credentials",
        "MockServer",
        "credentials_for",
        "dynamics_basic_request",
        "dynamics_service_principal_request",
        "sample_requests",
        "start_server",
    }
    assert (Path(flowservice_fixtures.__file__).parent / "py.typed").is_file()
    assert {"Intercept", "intercept"} <= set(mock_flowservice.__all__)
    assert set(intercept_module.__all__) == {
        "DEFAULT_BASE_URL",
        "DEFAULT_IMS_URL",
        "Call",
        "Intercept",
        "intercept",
    }


def test_dynamics_dataflow_and_clock_fixtures_on_both_mock_targets(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize(
            "target",
            [pytest.param("inprocess", marks=pytest.mark.flowservice_target("inprocess")),
             pytest.param("server", marks=pytest.mark.flowservice_target("server"))],
        )
        def test_runs_appear_as_the_clock_moves(
            target, flowservice_clock, flowservice_dynamics_dataflow, flowservice_client
        ):
            flow = flowservice_client.retrieve_flow(flowservice_dynamics_dataflow.flow_id)
            assert flow.state == "enabled"
            start = int(flow.schedule["startTime"]) * 1000
            flowservice_clock.freeze(start)
            assert flowservice_clock.now_ms() == start
            assert flowservice_clock.advance(2 * 3600 + 61) == start + (2 * 3600 + 61) * 1000
            runs = list(flowservice_client.list_runs(flow.id))
            assert [r.state for r in runs] == ["success"] * 3
            assert runs[0].input_records == 24
            assert flowservice_client.retrieve_run(runs[0].id) == runs[0]
        """
    )
    run(pytester).assert_outcomes(passed=2)


@pytest.mark.parametrize("how", ["option", "ini"])
def test_strict_mode_from_the_option_or_the_ini(pytester: pytest.Pytester, how: str) -> None:
    """Strict mocks refuse the static test token; the fixtures' client gets an issued one."""
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.parametrize("target", ["inprocess", "server"])
        def test_strict(request, target, flowservice_headers):
            request.applymarker(pytest.mark.flowservice_target(target))
            client = request.getfixturevalue("flowservice_client")
            assert client.token_provider.get_token() != "test-token"
            assert list(client.list_connections()) == []
            url = request.getfixturevalue("flowservice_base_url") + "/connections"
            refused = requests.get(url, headers=flowservice_headers, timeout=10)
            assert refused.status_code == 401
            assert refused.json()["error_code"] == "401013"
        """
    )
    if how == "ini":
        pytester.makeini(
            "[pytest]\naddopts = --strict-markers -p no:cacheprovider\n"
            "filterwarnings = error\nflowservice_strict = true\n"
        )
        result = run(pytester)
    else:
        result = run(pytester, "--flowservice-strict")
    result.assert_outcomes(passed=2)
