"""One place that sends requests: headers, timeout, retries, JSON and error mapping.

Retries are urllib3's :class:`~urllib3.util.Retry` on an :class:`~requests.adapters.HTTPAdapter`
mounted on the session for the base URL's origin. By default only idempotent methods are
retried on 429/502/503/504 and on read errors; connect errors are retried for every method,
since the server never saw the request. ``raise_on_status=False`` hands the last response back
so it becomes a typed :class:`~flowservice_client.HTTPError`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

from ._auth import TokenProvider
from ._errors import DecodingError, TransportError, error_from_response

__all__ = ["IDEMPOTENT_METHODS", "RETRY_STATUSES", "Transport", "build_retry"]

log = logging.getLogger("flowservice_client")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
ALL_METHODS = IDEMPOTENT_METHODS | {"POST", "PATCH"}
RETRY_STATUSES = frozenset({429, 502, 503, 504})
USER_AGENT = "flowservice-client/0.1"

Params = Mapping[str, str | list[str]]


def build_retry(
    retries: int | Retry,
    *,
    backoff_factor: float = 0.5,
    retry_non_idempotent: bool = False,
) -> Retry:
    """The retry policy: ``retries`` attempts after the first, on :data:`RETRY_STATUSES`."""
    if isinstance(retries, Retry):
        return retries
    return Retry(
        total=retries,
        connect=retries,
        read=retries,
        status=retries,
        other=0,
        redirect=0,
        status_forcelist=sorted(RETRY_STATUSES),
        allowed_methods=ALL_METHODS if retry_non_idempotent else IDEMPOTENT_METHODS,
        backoff_factor=backoff_factor,
        respect_retry_after_header=True,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def origin(url: str) -> str:
    """``scheme://host[:port]/`` of a URL (the prefix retries are mounted on)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/"


class Transport:
    """Sends one request to ``base_url + path`` and returns the decoded JSON body."""

    def __init__(
        self,
        base_url: str,
        *,
        token_provider: TokenProvider,
        api_key: str,
        org_id: str,
        sandbox: str,
        session: requests.Session,
        timeout: float,
        retry: Retry | None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_provider = token_provider
        self.api_key = api_key
        self.org_id = org_id
        self.sandbox = sandbox
        self.session = session
        self.timeout = timeout
        if retry is not None:
            session.mount(origin(self.base_url), HTTPAdapter(max_retries=retry))

    def headers(self, *, has_body: bool) -> dict[str, str]:
        """The headers every documented request sends; ``Content-Type`` only when a body is sent."""
        headers = {
            "Authorization": f"Bearer {self.token_provider.get_token()}",
            "x-api-key": self.api_key,
            "x-gw-ims-org-id": self.org_id,
            "x-sandbox-name": self.sandbox,
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """Send, map errors, decode JSON. Returns ``None`` for an empty body (204)."""
        response = self.send(method, path, params=params, body=body, headers=headers)
        if response.status_code >= 400:
            raise error_from_response(response)
        return _decode(response)

    def send(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send and return the raw response (any status); transport errors are wrapped."""
        all_headers = self.headers(has_body=body is not None)
        all_headers.update(headers or {})
        data = None if body is None else json.dumps(body).encode("utf-8")
        url = self.base_url + path
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=all_headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise TransportError(f"{method} {path} failed: {_describe(exc)}", cause=exc) from exc
        log.debug("%s %s -> %s", method, path, response.status_code)
        return response


def _describe(exc: requests.RequestException) -> str:
    kind = type(exc).__name__
    reason = str(exc)
    return f"{kind}: {reason[:300]}" if reason else kind


def _decode(response: requests.Response) -> Any:
    if response.status_code == 204 or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise DecodingError(
            f"expected JSON from {response.request.method} {urlsplit(response.url).path}, "
            f"got {response.headers.get('Content-Type', 'no content type')}"
        ) from None
