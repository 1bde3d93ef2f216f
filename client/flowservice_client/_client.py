"""The client object: credentials, session, retries, and construction from the environment.

Environment variables read by :meth:`FlowServiceClient.from_env`:

=============================  ==============================================================
``FLOWSERVICE_BASE_URL``       API base URL (default: the production gateway)
``FLOWSERVICE_ACCESS_TOKEN``   a ready bearer token; when set, no IMS call is made
``FLOWSERVICE_API_KEY``        the ``x-api-key`` value, i.e. the OAuth client id (required)
``FLOWSERVICE_ORG_ID``         the ``x-gw-ims-org-id`` value (required)
``FLOWSERVICE_SANDBOX``        the ``x-sandbox-name`` value (default ``prod``)
``FLOWSERVICE_CLIENT_SECRET``  client secret for IMS client credentials (when no token)
``FLOWSERVICE_IMS_URL``        IMS token endpoint (default ``DEFAULT_IMS_URL``)
``FLOWSERVICE_SCOPES``         comma-separated scopes (default ``DEFAULT_SCOPES``)
``FLOWSERVICE_TIMEOUT``        seconds per request (default 30)
=============================  ==============================================================
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import TracebackType
from typing import Any

import requests
from urllib3.util import Retry

from ._auth import (
    DEFAULT_IMS_URL,
    DEFAULT_SCOPES,
    ClientCredentialsTokenProvider,
    StaticTokenProvider,
    TokenProvider,
)
from ._errors import ConfigurationError
from ._http import Transport, build_retry
from ._pipeline import PipelineMixin
from ._specs import SpecsMixin

__all__ = ["DEFAULT_BASE_URL", "ENV_VARS", "FlowServiceClient"]

DEFAULT_BASE_URL = "https://platform.adobe.io/data/foundation/flowservice"
ENV_VARS = (
    "FLOWSERVICE_BASE_URL",
    "FLOWSERVICE_ACCESS_TOKEN",
    "FLOWSERVICE_API_KEY",
    "FLOWSERVICE_ORG_ID",
    "FLOWSERVICE_SANDBOX",
    "FLOWSERVICE_CLIENT_SECRET",
    "FLOWSERVICE_IMS_URL",
    "FLOWSERVICE_SCOPES",
    "FLOWSERVICE_TIMEOUT",
)


class FlowServiceClient(SpecsMixin, PipelineMixin):
    """A thin client of the Flow Service API; methods are named after operationIds.

    Give either ``access_token`` or ``token_provider``. ``retries`` is the number of retries
    (or a ready :class:`urllib3.util.Retry`); ``None`` leaves the session's adapters alone.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        access_token: str | None = None,
        token_provider: TokenProvider | None = None,
        api_key: str,
        org_id: str,
        sandbox: str = "prod",
        session: requests.Session | None = None,
        timeout: float = 30.0,
        retries: int | Retry | None = 3,
        backoff_factor: float = 0.5,
        retry_non_idempotent: bool = False,
    ) -> None:
        provider = _token_provider(access_token, token_provider)
        if not api_key or not org_id:
            raise ConfigurationError("api_key and org_id are required")
        self._owns_session = session is None
        retry = None
        if retries is not None:
            retry = build_retry(
                retries, backoff_factor=backoff_factor, retry_non_idempotent=retry_non_idempotent
            )
        self._transport = Transport(
            base_url,
            token_provider=provider,
            api_key=api_key,
            org_id=org_id,
            sandbox=sandbox,
            session=session if session is not None else requests.Session(),
            timeout=timeout,
            retry=retry,
        )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, **overrides: Any
    ) -> FlowServiceClient:
        """A client configured from ``FLOWSERVICE_*`` variables; ``overrides`` win."""
        env = os.environ if environ is None else environ
        _check_required(env, overrides)
        settings: dict[str, Any] = {"sandbox": env.get("FLOWSERVICE_SANDBOX") or "prod"}
        if env.get("FLOWSERVICE_API_KEY"):
            settings["api_key"] = env["FLOWSERVICE_API_KEY"]
        if env.get("FLOWSERVICE_ORG_ID"):
            settings["org_id"] = env["FLOWSERVICE_ORG_ID"]
        base_url = env.get("FLOWSERVICE_BASE_URL")
        if base_url:
            settings["base_url"] = base_url
        if env.get("FLOWSERVICE_TIMEOUT"):
            settings["timeout"] = _float(env, "FLOWSERVICE_TIMEOUT")
        settings.update(overrides)
        if "access_token" not in settings and "token_provider" not in settings:
            settings.update(_env_credentials(env, settings["api_key"], settings.get("session")))
        return cls(**settings)

    @property
    def base_url(self) -> str:
        return self._transport.base_url

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    @property
    def token_provider(self) -> TokenProvider:
        return self._transport.token_provider

    def close(self) -> None:
        """Close the session if the client created it."""
        if self._owns_session:
            self._transport.session.close()

    def __enter__(self) -> FlowServiceClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        t = self._transport
        return (
            f"FlowServiceClient(base_url={t.base_url!r}, api_key={t.api_key!r}, "
            f"org_id={t.org_id!r}, sandbox={t.sandbox!r}, token_provider={t.token_provider!r})"
        )


def _token_provider(access_token: str | None, provider: TokenProvider | None) -> TokenProvider:
    if (access_token is None) == (provider is None):
        raise ConfigurationError("give exactly one of access_token and token_provider")
    if provider is not None:
        return provider
    assert access_token is not None
    try:
        return StaticTokenProvider(access_token)
    except ValueError:
        raise ConfigurationError("access_token must be a non-empty string") from None


def _env_credentials(
    env: Mapping[str, str], client_id: str, session: requests.Session | None
) -> dict[str, Any]:
    token = env.get("FLOWSERVICE_ACCESS_TOKEN")
    if token:
        return {"access_token": token}
    secret = env.get("FLOWSERVICE_CLIENT_SECRET")
    if not secret:
        raise ConfigurationError(
            "set FLOWSERVICE_ACCESS_TOKEN, or FLOWSERVICE_CLIENT_SECRET to fetch a token from IMS"
        )
    scopes = env.get("FLOWSERVICE_SCOPES") or ",".join(DEFAULT_SCOPES)
    provider = ClientCredentialsTokenProvider(
        client_id,
        secret,
        scopes=scopes,
        token_url=env.get("FLOWSERVICE_IMS_URL") or DEFAULT_IMS_URL,
        session=session,
    )
    return {"token_provider": provider}


def _check_required(env: Mapping[str, str], overrides: Mapping[str, Any]) -> None:
    """Refuse with every missing variable named at once, not the first one only."""
    missing = [
        name
        for name, setting in (("FLOWSERVICE_API_KEY", "api_key"), ("FLOWSERVICE_ORG_ID", "org_id"))
        if not env.get(name) and setting not in overrides
    ]
    has_credentials = "access_token" in overrides or "token_provider" in overrides
    if not has_credentials and not (
        env.get("FLOWSERVICE_ACCESS_TOKEN") or env.get("FLOWSERVICE_CLIENT_SECRET")
    ):
        missing.append(
            "FLOWSERVICE_ACCESS_TOKEN or FLOWSERVICE_CLIENT_SECRET (to fetch a token from IMS)"
        )
    if missing:
        raise ConfigurationError("environment variables not set: " + "; ".join(missing))


def _float(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ConfigurationError(f"environment variable {name} must be a number") from None
