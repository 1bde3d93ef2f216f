"""Access tokens: a fixed one, or one fetched from Adobe IMS with OAuth client credentials.

:class:`ClientCredentialsTokenProvider` posts ``grant_type=client_credentials`` form-encoded to
the IMS token endpoint (OAuth server-to-server), caches the token and fetches a new one
``refresh_margin`` seconds before ``expires_in`` runs out. A lock makes concurrent callers share
one fetch.
Secrets show up in no ``repr``, log line or exception message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

import requests

from ._errors import TokenError

__all__ = [
    "DEFAULT_IMS_URL",
    "DEFAULT_SCOPES",
    "ClientCredentialsTokenProvider",
    "StaticTokenProvider",
    "TokenProvider",
    "mask",
]

DEFAULT_IMS_URL = "https://ims-na1.adobelogin.com/ims/token/v3"
DEFAULT_SCOPES: tuple[str, ...] = (
    "openid",
    "AdobeID",
    "read_organizations",
    "additional_info.projectedProductContext",
    "session",
)

log = logging.getLogger("flowservice_client")


def mask(secret: str | None) -> str:
    """What a secret looks like in ``repr`` and messages: ``'***'`` (``'None'`` when unset)."""
    return "None" if secret is None else "'***'"


@runtime_checkable
class TokenProvider(Protocol):
    """Anything that hands out a bearer token for the next request."""

    def get_token(self) -> str: ...


class StaticTokenProvider:
    """Always returns the token it was given."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("token must be a non-empty string")
        self._token = token

    def get_token(self) -> str:
        return self._token

    def __repr__(self) -> str:
        return f"StaticTokenProvider(token={mask(self._token)})"


class ClientCredentialsTokenProvider:
    """OAuth Server-to-Server tokens from IMS, cached until shortly before they expire.

    The effective margin is ``min(refresh_margin, expires_in / 2)`` so that a short-lived token
    is still reused. ``clock`` returns seconds (monotonic); tests pass a fake one.
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        *,
        scopes: Sequence[str] | str = DEFAULT_SCOPES,
        token_url: str = DEFAULT_IMS_URL,
        session: requests.Session | None = None,
        refresh_margin: float = 300.0,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret must be non-empty")
        self.client_id = client_id
        self._secret = client_secret
        self.scopes = scopes if isinstance(scopes, str) else ",".join(scopes)
        self.token_url = token_url
        self._session = session if session is not None else requests.Session()
        self.refresh_margin = refresh_margin
        self.timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self.fetch_count = 0

    def __repr__(self) -> str:
        return (
            f"ClientCredentialsTokenProvider(client_id={self.client_id!r}, "
            f"client_secret={mask(self._secret)}, token_url={self.token_url!r})"
        )

    def get_token(self) -> str:
        """The cached token, fetching a new one when none is cached or it is due for renewal."""
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._fetch()
            assert self._token is not None
            return self._token

    def invalidate(self) -> None:
        """Forget the cached token; the next :meth:`get_token` fetches a new one."""
        with self._lock:
            self._token = None

    def _fetch(self) -> None:
        started = self._clock()
        body = self._post()
        token = body.get("access_token")
        expires_in = body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise TokenError("IMS token response has no access_token")
        if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool):
            raise TokenError("IMS token response has no numeric expires_in")
        margin = min(self.refresh_margin, expires_in / 2)
        self._token = token
        self._renew_at = started + expires_in - margin
        self.fetch_count += 1
        log.debug("fetched IMS token for client %s (expires in %ss)", self.client_id, expires_in)

    def _post(self) -> dict[str, Any]:
        form = {
            "grant_type": "client_credentials",
            "client_id": self.client_id,
            "client_secret": self._secret,
            "scope": self.scopes,
        }
        try:
            response = self._session.post(
                self.token_url,
                data=form,
                headers={"Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise TokenError(self._scrub(f"IMS token request failed: {exc}")) from None
        if response.status_code != 200:
            raise TokenError(self._scrub(_describe_failure(response)), status=response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise TokenError("IMS token response is not JSON") from None
        if not isinstance(body, dict):
            raise TokenError("IMS token response is not a JSON object")
        return body

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***")


def _describe_failure(response: requests.Response) -> str:
    text = f"IMS token request failed with HTTP {response.status_code}"
    try:
        body = response.json()
    except ValueError:
        return text
    if isinstance(body, dict):
        error = body.get("error") or body.get("error_code")
        detail = body.get("error_description") or body.get("message")
        if error:
            text += f": {error}"
        if detail:
            text += f" ({str(detail)[:200]})"
    return text
