"""The client's exceptions, and the one function that maps an error response to them.

Every exception the client raises on purpose derives from :class:`FlowServiceError`::

    FlowServiceError
    ├── ConfigurationError        missing/contradictory settings (also a ValueError)
    ├── TokenError                the IMS token endpoint refused or could not be reached
    ├── TransportError            connection refused/reset, timeout (wraps the requests error)
    ├── DecodingError             a success response whose body is not the expected JSON
    ├── NoResultError             a lookup matched nothing (also a LookupError)
    └── HTTPError                 any 4xx/5xx answer: status, code, message, request_id, response
        ├── BadRequestError           400
        ├── UnauthorizedError         401
        ├── ForbiddenError            403
        ├── NotFoundError             404
        ├── PreconditionFailedError   412
        ├── PayloadTooLargeError      413
        ├── RateLimitedError          429 (retry_after)
        └── ServerError               5xx

``HTTPError.code`` is the API's own code: ``"FLOW-1415-400"`` for Flow Service bodies (the
suffix of ``type``), ``"403010"`` for gateway bodies (``error_code``), ``"BadRequestError"`` for
the gateway's content-type body (its ``title``), else ``None``. Messages never contain request
headers or bodies, so tokens and secrets cannot leak through ``str(exc)``.
"""

from __future__ import annotations

import email.utils
import re
import time
from collections.abc import Mapping
from typing import Any

import requests

__all__ = [
    "BadRequestError",
    "ConfigurationError",
    "DecodingError",
    "FlowServiceError",
    "ForbiddenError",
    "HTTPError",
    "NoResultError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PreconditionFailedError",
    "RateLimitedError",
    "ServerError",
    "TokenError",
    "TransportError",
    "UnauthorizedError",
    "error_from_response",
]

_FLOW_TYPE = re.compile(r"(FLOW-\d+-\d+)\s*$")
_MESSAGE_LIMIT = 500


class FlowServiceError(Exception):
    """Base class of every error raised by ``flowservice_client``."""


class ConfigurationError(FlowServiceError, ValueError):
    """The client was given missing or contradictory settings."""


class TokenError(FlowServiceError):
    """Getting an access token from IMS failed. ``status`` is ``None`` for transport errors."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), str(self), {"status": self.status}))


class TransportError(FlowServiceError):
    """The request never got an HTTP answer (connection error, timeout, too many retries)."""

    def __init__(self, message: str, *, cause: requests.RequestException | None = None) -> None:
        super().__init__(message)
        self.cause = cause

    def __reduce__(self) -> tuple[Any, ...]:
        # The cause (and its request, which carries the bearer token) is not pickled.
        return (_rebuild, (type(self), str(self), {}))


class DecodingError(FlowServiceError):
    """A success response carried a body the client could not interpret."""


class NoResultError(FlowServiceError, LookupError):
    """A lookup (``find_connection_spec``, a wrapped single GET) matched nothing."""


class HTTPError(FlowServiceError):
    """The API answered with an error status; the response is kept on ``response``."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        request_id: str | None = None,
        response: requests.Response | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.request_id = request_id
        self.response = response
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"HTTP {self.status}"
        if self.code:
            text += f" [{self.code}]"
        text += f": {self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status}, code={self.code!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # The response (whose request carries the bearer token) is not pickled.
        return (type(self), (self.status, self.code, self.message, self.request_id))


class BadRequestError(HTTPError):
    """400: the request is invalid (``FLOW-14xx-400``, gateway ``400003``, content type)."""


class UnauthorizedError(HTTPError):
    """401: the token is not valid (gateway ``401013``, ``FLOW-2000-401``)."""


class ForbiddenError(HTTPError):
    """403: token missing (``403010``), bad API key, or missing permission."""


class NotFoundError(HTTPError):
    """404: the resource does not exist (``FLOW-1439-404``)."""


class PreconditionFailedError(HTTPError):
    """412: the ``If-Match`` etag is stale (``FLOW-1404-412``)."""


class PayloadTooLargeError(HTTPError):
    """413: the request body is too large."""


class RateLimitedError(HTTPError):
    """429: throttled. ``retry_after`` is the server's wait in seconds, when it said."""

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str,
        request_id: str | None = None,
        response: requests.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, request_id, response)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        args = (self.status, self.code, self.message, self.request_id, None, self.retry_after)
        return (type(self), args)


class ServerError(HTTPError):
    """5xx: the service failed (``FLOW-1102-500``, ``FLOW-1103-503``, ...)."""


def _rebuild(cls: type[FlowServiceError], message: str, kwargs: dict[str, Any]) -> Any:
    return cls(message, **kwargs)


_BY_STATUS: dict[int, type[HTTPError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    429: RateLimitedError,
}


def error_from_response(response: requests.Response) -> HTTPError:
    """Build the typed error for an error response (status >= 400)."""
    body = _json_object(response)
    status = response.status_code
    code = error_code(body)
    message = _message(body) or response.reason or f"HTTP {status}"
    request_id = _request_id(body, response)
    if status == 429:
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        return RateLimitedError(status, code, message, request_id, response, retry_after)
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else HTTPError)
    return cls(status, code, message, request_id, response)


def error_code(body: Mapping[str, Any]) -> str | None:
    """The API's own error code in any of the three documented body shapes."""
    type_uri = body.get("type")
    if isinstance(type_uri, str):
        match = _FLOW_TYPE.search(type_uri)
        if match:
            return match.group(1)
    gateway = body.get("error_code")
    if gateway is not None:
        return str(gateway)
    title = body.get("title")
    return title if isinstance(title, str) and "type" in body else None


def _message(body: Mapping[str, Any]) -> str | None:
    report = body.get("report")
    candidates = [body.get("errorMessage")]
    if isinstance(report, Mapping):
        candidates.append(report.get("detailed-message"))
    candidates += [body.get("message"), body.get("detail"), body.get("title")]
    for value in candidates:
        if isinstance(value, str) and value:
            return value[:_MESSAGE_LIMIT]
    return None


def _request_id(body: Mapping[str, Any], response: requests.Response) -> str | None:
    report = body.get("report")
    if isinstance(report, Mapping):
        value = report.get("request-id")
        if isinstance(value, str) and value:
            return value
    return response.headers.get("x-request-id")


def _json_object(response: requests.Response) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, Mapping) else {}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
