"""A thin, typed client for Adobe Experience Platform's Flow Service API.

>>> client = FlowServiceClient.from_env()                      # doctest: +SKIP
>>> for connection in client.list_connections({"state": "enabled"}):  # doctest: +SKIP
...     print(connection.id, connection.name)

Methods are named after the API's operationIds; errors form the tree drawn in
``flowservice_client._errors``. Everything public is re-exported here.
"""

from __future__ import annotations

from ._auth import (
    DEFAULT_IMS_URL,
    DEFAULT_SCOPES,
    ClientCredentialsTokenProvider,
    StaticTokenProvider,
    TokenProvider,
)
from ._client import DEFAULT_BASE_URL, ENV_VARS, FlowServiceClient
from ._errors import (
    BadRequestError,
    ConfigurationError,
    DecodingError,
    FlowServiceError,
    ForbiddenError,
    HTTPError,
    NoResultError,
    NotFoundError,
    PayloadTooLargeError,
    PreconditionFailedError,
    RateLimitedError,
    ServerError,
    TokenError,
    TransportError,
    UnauthorizedError,
)
from ._http import build_retry
from ._models import (
    AuthInfo,
    AuthSpec,
    Connection,
    ConnectionPage,
    ConnectionSpec,
    ConnectionSpecRef,
    CreatedRef,
)
from ._pipeline import (
    DynamicsDataflow,
    Flow,
    FlowSpec,
    Page,
    Run,
    SourceConnection,
    TargetConnection,
)
from ._specs import DYNAMICS_BASIC_AUTH, DYNAMICS_SERVICE_PRINCIPAL_AUTH, DYNAMICS_SPEC_ID

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_IMS_URL",
    "DEFAULT_SCOPES",
    "DYNAMICS_BASIC_AUTH",
    "DYNAMICS_SERVICE_PRINCIPAL_AUTH",
    "DYNAMICS_SPEC_ID",
    "ENV_VARS",
    "AuthInfo",
    "AuthSpec",
    "BadRequestError",
    "ClientCredentialsTokenProvider",
    "ConfigurationError",
    "Connection",
    "ConnectionPage",
    "ConnectionSpec",
    "ConnectionSpecRef",
    "CreatedRef",
    "DecodingError",
    "DynamicsDataflow",
    "Flow",
    "FlowServiceClient",
    "FlowServiceError",
    "FlowSpec",
    "ForbiddenError",
    "HTTPError",
    "NoResultError",
    "NotFoundError",
    "Page",
    "PayloadTooLargeError",
    "PreconditionFailedError",
    "RateLimitedError",
    "Run",
    "ServerError",
    "SourceConnection",
    "StaticTokenProvider",
    "TargetConnection",
    "TokenError",
    "TokenProvider",
    "TransportError",
    "UnauthorizedError",
    "__version__",
    "build_retry",
]
