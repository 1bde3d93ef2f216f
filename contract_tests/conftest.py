"""Contract suite wiring: hypothesis profiles, the report plugin and the suite's fixtures.

The target (``--flowservice-target`` / ``$FLOWSERVICE_TARGET``) and ``flowservice_client``
come from the ``flowservice_fixtures`` plugin. Fixtures here:

=====================  =========  ==========================================================
``contract_client``    function   ``flowservice_client`` with the report adapter mounted
``contract_recorder``  function   the run's :class:`~contract_tests.report.Recorder`
``contract_names``     session    unique names ``mfs-contract-<uuid8>-...``
``catalog``            function   the target's connection specs (fetched once per session)
``cleanup``            function   registry of created ids, deleted when the test ends
``contract_headers``   function   the documented headers for raw requests on the session
``raw``                function   :class:`~contract_tests.support.RawRequester`
``lake``               function   the dataset and XDM schema target connections name
=====================  =========  ==========================================================
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from flowservice_client import FlowServiceClient
from hypothesis import HealthCheck, Phase, settings

from .report import ContractAdapter, Recorder, ReportPlugin, resolve_target
from .support import Catalog, Cleanup, Lake, Names, RawRequester

REPORT_PLUGIN = "flowservice-contract-report"
HTTP_MARKER = "contract_http"

settings.register_profile(
    "dev",
    max_examples=10,
    stateful_step_count=10,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "ci",
    max_examples=40,
    stateful_step_count=20,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "live",
    max_examples=3,
    stateful_step_count=6,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def default_profile(target: str) -> str:
    """``live`` for the live target, ``ci`` when ``$CI`` is set, else ``dev``."""
    if target == "live":
        return "live"
    return "ci" if os.environ.get("CI") else "dev"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{HTTP_MARKER}: needs a socket; the inprocess target runs it on flowservice_server",
    )
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile(default_profile(resolve_target(config)))
    if not config.pluginmanager.has_plugin(REPORT_PLUGIN):
        config.pluginmanager.register(ReportPlugin(config), REPORT_PLUGIN)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if resolve_target(config) != "inprocess":
        return
    for item in items:
        if item.get_closest_marker(HTTP_MARKER) is not None:
            item.add_marker(pytest.mark.flowservice_target("server"))


@pytest.fixture
def contract_recorder(request: pytest.FixtureRequest) -> Recorder:
    plugin = request.config.pluginmanager.get_plugin(REPORT_PLUGIN)
    assert isinstance(plugin, ReportPlugin)
    return plugin.recorder


@pytest.fixture
def contract_client(
    flowservice_client: FlowServiceClient, contract_recorder: Recorder
) -> FlowServiceClient:
    """The plugin's client for the chosen target, its session reporting to the run's report."""
    ContractAdapter.install(
        flowservice_client.session, flowservice_client.base_url, contract_recorder
    )
    return flowservice_client


@pytest.fixture(scope="session")
def contract_names() -> Names:
    return Names()


@pytest.fixture(scope="session")
def _catalog_cache() -> dict[str, Catalog]:
    return {}


@pytest.fixture
def catalog(
    contract_client: FlowServiceClient,
    contract_recorder: Recorder,
    _catalog_cache: dict[str, Catalog],
) -> Catalog:
    """The connection specs the target serves (one ``GET /connectionSpecs`` walk per session)."""
    if "specs" not in _catalog_cache:
        fetched = Catalog(tuple(contract_client.list_connection_specs()))
        assert fetched.choices, "the target serves no connection spec with an auth spec"
        _catalog_cache["specs"] = fetched
    found = _catalog_cache["specs"]
    contract_recorder.redactor.add_keys(found.secret_params)
    return found


@pytest.fixture
def cleanup(contract_client: FlowServiceClient, contract_recorder: Recorder) -> Iterator[Cleanup]:
    """Ids created by the test; all deleted afterwards, whether the test passed or not."""
    registry = Cleanup(contract_client, contract_recorder)
    yield registry
    registry.delete_all()


@pytest.fixture
def contract_headers(
    request: pytest.FixtureRequest, contract_client: FlowServiceClient, flowservice_target: str
) -> dict[str, str]:
    """Documented headers (FACTS B.1) for requests the client cannot make itself."""
    if flowservice_target == "live":
        headers = {
            "x-api-key": os.environ["FLOWSERVICE_API_KEY"],
            "x-gw-ims-org-id": os.environ["FLOWSERVICE_ORG_ID"],
            "x-sandbox-name": os.environ.get("FLOWSERVICE_SANDBOX") or "prod",
        }
    else:
        headers = dict(request.getfixturevalue("flowservice_headers"))
    headers["Authorization"] = f"Bearer {contract_client.token_provider.get_token()}"
    headers["Accept"] = "application/json"
    headers["Content-Type"] = "application/json"
    return headers


@pytest.fixture
def raw(contract_client: FlowServiceClient, contract_headers: dict[str, str]) -> RawRequester:
    return RawRequester(contract_client, contract_headers)


#: The tutorial's dataset and schema: any 24-hex dataset id passes the mock's checks.
TUTORIAL_LAKE = Lake(
    "6889f4f89b982b2b90bc1207",
    "https://ns.adobe.com/acme/schemas/52b59140414aa6a370ef5e21155fd7a686744b8739ecc168",
)


@pytest.fixture
def lake(flowservice_target: str) -> Lake:
    """``$FLOWSERVICE_CONTRACT_DATASET_ID`` and ``$FLOWSERVICE_CONTRACT_SCHEMA_ID``; on a mock
    target the tutorial's ids. The live target needs a real dataset: without both, skip."""
    dataset = os.environ.get("FLOWSERVICE_CONTRACT_DATASET_ID")
    schema = os.environ.get("FLOWSERVICE_CONTRACT_SCHEMA_ID")
    if dataset and schema:
        return Lake(dataset, schema)
    if flowservice_target == "live":
        pytest.skip("pipeline tests on live need FLOWSERVICE_CONTRACT_DATASET_ID and _SCHEMA_ID")
    return TUTORIAL_LAKE


@pytest.fixture(scope="session")
def flowservice_config() -> dict[str, object]:
    """The mock targets run with the strict gateway: what passes here passes Adobe's gateway
    (issued tokens, the token's client id as API key, real org id form, known sandboxes)."""
    return {"strict": True}
