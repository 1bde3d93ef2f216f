"""The public surface: ``__all__`` pinned, typing marker, the error tree as documented."""

from __future__ import annotations

import inspect
from pathlib import Path

import flowservice_client as fsc
import pytest

EXPECTED_ALL = {
    "DEFAULT_BASE_URL", "DEFAULT_IMS_URL", "DEFAULT_SCOPES", "DYNAMICS_BASIC_AUTH",
    "DYNAMICS_SERVICE_PRINCIPAL_AUTH", "DYNAMICS_SPEC_ID", "ENV_VARS", "AuthInfo", "AuthSpec",
    "BadRequestError", "ClientCredentialsTokenProvider", "ConfigurationError", "Connection",
    "ConnectionPage", "ConnectionSpec", "ConnectionSpecRef", "CreatedRef", "DecodingError",
    "FlowServiceClient", "FlowServiceError", "ForbiddenError", "HTTPError", "NoResultError",
    "NotFoundError", "PayloadTooLargeError", "PreconditionFailedError", "RateLimitedError",
    "ServerError", "StaticTokenProvider", "TokenError", "TokenProvider", "TransportError",
    "UnauthorizedError", "__version__", "build_retry", "Page", "SourceConnection",
    "TargetConnection", "Flow", "FlowSpec", "DynamicsDataflow", "Run",
}  # fmt: skip

OPERATIONS = [
    "list_connections", "list_connections_page", "count_connections", "create_connection",
    "retrieve_connection", "patch_connection", "delete_connection", "test_connection",
    "explore_connection", "search_connections", "publish_connection", "list_connection_specs",
    "retrieve_connection_spec", "find_connection_spec", "create_dynamics_connection",
    *(
        f"{verb}_{kind}_connection{suffix}"
        for kind in ("source", "target")
        for verb, suffix in (
            ("list", "s"), ("count", "s"), ("search", "s"), ("create", ""), ("retrieve", ""),
            ("patch", ""), ("delete", ""), ("publish", ""),
        )
    ),
    "list_flow_specs", "retrieve_flow_spec", "find_flow_spec", "list_flows", "count_flows",
    "search_flows", "create_flow", "retrieve_flow", "patch_flow", "delete_flow", "enable_flow",
    "disable_flow", "publish_flow", "create_dynamics_dataflow", "delete_dynamics_dataflow",
    "list_runs", "retrieve_run", "create_run", "retrigger_run",
]  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(fsc.__all__) == EXPECTED_ALL
    assert len(fsc.__all__) == len(EXPECTED_ALL)
    for name in fsc.__all__:
        assert hasattr(fsc, name), name


def test_package_is_typed() -> None:
    assert (Path(fsc.__file__).parent / "py.typed").is_file()


@pytest.mark.parametrize("name", OPERATIONS)
def test_operations_are_public_methods(name: str) -> None:
    method = getattr(fsc.FlowServiceClient, name)
    assert inspect.isfunction(method)
    assert method.__doc__


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        (fsc.ConfigurationError, fsc.FlowServiceError),
        (fsc.ConfigurationError, ValueError),
        (fsc.TokenError, fsc.FlowServiceError),
        (fsc.TransportError, fsc.FlowServiceError),
        (fsc.DecodingError, fsc.FlowServiceError),
        (fsc.NoResultError, LookupError),
        (fsc.HTTPError, fsc.FlowServiceError),
        (fsc.BadRequestError, fsc.HTTPError),
        (fsc.UnauthorizedError, fsc.HTTPError),
        (fsc.ForbiddenError, fsc.HTTPError),
        (fsc.NotFoundError, fsc.HTTPError),
        (fsc.PreconditionFailedError, fsc.HTTPError),
        (fsc.PayloadTooLargeError, fsc.HTTPError),
        (fsc.RateLimitedError, fsc.HTTPError),
        (fsc.ServerError, fsc.HTTPError),
    ],
)
def test_error_tree(child: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(child, parent)


def test_error_tree_is_drawn_in_the_docstring() -> None:
    from flowservice_client import _errors

    doc = _errors.__doc__ or ""
    for name in _errors.__all__:
        if name[0].isupper():
            assert name in doc, name


def test_results_are_frozen() -> None:
    ref = fsc.CreatedRef(id="x", etag="e")
    with pytest.raises(AttributeError):
        ref.id = "y"  # type: ignore[misc]


@pytest.mark.parametrize(
    "error",
    [
        fsc.NotFoundError(404, "FLOW-1439-404", "gone", "req-1"),
        fsc.RateLimitedError(429, "429000", "slow down", None, None, 3.0),
        fsc.TokenError("IMS said no", status=401),
        fsc.TransportError("GET /x failed: ConnectionError"),
        fsc.ConfigurationError("missing"),
    ],
)
def test_errors_survive_pickling(error: fsc.FlowServiceError) -> None:
    import pickle

    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
